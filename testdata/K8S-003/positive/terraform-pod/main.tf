resource "kubernetes_pod" "debug" {
  metadata {
    name      = "debug"
    namespace = "ops"
  }

  spec {
    host_pid = true
    host_ipc = false

    container {
      name  = "shell"
      image = "registry.example.com/toolbox:2024.1"
    }
  }
}
