resource "kubernetes_deployment_v1" "agent" {
  metadata {
    name      = "agent"
    namespace = "monitoring"
  }

  spec {
    selector {
      match_labels = { app = "agent" }
    }

    template {
      metadata {
        labels = { app = "agent" }
      }

      spec {
        container {
          name  = "agent"
          image = "registry.example.com/agent:3.1.4"

          security_context {
            privileged                 = false
            allow_privilege_escalation = false
          }
        }
      }
    }
  }
}
