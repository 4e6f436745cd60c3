{
  "targets": [
    {
      "target_name": "ctnet_setns",
      "sources": ["native/setns.c"],
      "cflags": ["-Wall", "-O2", "-pthread"],
      "ldflags": ["-pthread"]
    }
  ]
}
