{
  "targets": [
    {
      "target_name": "ctnet_setns",
      "sources": ["native/setns.c"],
      "cflags": ["-Wall", "-O2"]
    }
  ]
}
