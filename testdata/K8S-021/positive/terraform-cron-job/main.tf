variable "uid" {
  default = 0
}

resource "kubernetes_cron_job_v1" "cleanup" {
  metadata {
    name      = "cleanup"
    namespace = "ops"
  }

  spec {
    schedule = "0 3 * * *"

    job_template {
      metadata {}

      spec {
        template {
          metadata {}

          spec {
            security_context {
              run_as_user = "0"
            }

            container {
              name  = "cleanup"
              image = "registry.example.com/cleanup:0.4.1"

              security_context {
                run_as_user = var.uid
              }
            }
          }
        }
      }
    }
  }
}
