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
          seccomp_profile {
            type = "RuntimeDefault"
          }
        }

        container {
          name  = "postgres"
          image = "postgres:16.4"
        }
      }
    }
  }
}
