# The provider sends a seccomp_profile block without a type as `type: Unconfined`.
resource "kubernetes_stateful_set_v1" "db" {
  metadata {
    name      = "db"
    namespace = "data"
  }

  spec {
    service_name = "db"

    selector {
      match_labels = { app = "db" }
    }

    template {
      metadata {
        labels = { app = "db" }
      }

      spec {
        security_context {
          seccomp_profile {}
        }

        container {
          name  = "postgres"
          image = "postgres:16.4"
        }

        container {
          name  = "backup"
          image = "registry.example.com/backup:1.0.3"

          security_context {
            seccomp_profile {
              type = "Unconfined"
            }
          }
        }
      }
    }
  }
}
