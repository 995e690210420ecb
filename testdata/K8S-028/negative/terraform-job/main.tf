resource "kubernetes_job_v1" "migrate" {
  metadata {
    name      = "migrate"
    namespace = "shop"
  }

  spec {
    template {
      metadata {}

      spec {
        service_account_name            = "migrate"
        automount_service_account_token = false
        restart_policy                  = "Never"

        container {
          name  = "migrate"
          image = "registry.example.com/migrate:2.0.1"
        }
      }
    }
  }
}
