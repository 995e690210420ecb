# Known only at apply: the rules stay silent.
variable "privileged" {
  type = bool
}

resource "kubernetes_pod_v1" "agent" {
  metadata {
    name = "agent"
  }

  spec {
    container {
      name  = "agent"
      image = "registry.example.com/agent:3.1.4"

      security_context {
        privileged = var.privileged
      }
    }
  }
}
