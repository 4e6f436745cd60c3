{
  "targets": [
    {
      "target_name": "ctnet_setns",
      "sources": ["native/setns.c", "native/readns.c", "native/nftrun.c", "native/nlreq.c", "native/hostlock.c", "native/digest.c"],
      "cflags": ["-Wall", "-O2", "-pthread"],
      "ldflags": ["-pthread"],
      "libraries": ["-ldl"]
    }
  ]
}
