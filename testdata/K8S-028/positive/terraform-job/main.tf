# Since provider 2.0, automount_service_account_token defaults to true, as in Kubernetes.
resource "kubernetes_job_v1" "migrate" {
  metadata {
    name      = "migrate"
    namespace = "shop"
  }

  spec {
    template {
      metadata {}

      spec {
        service_account_name = "migrate"
        restart_policy       = "Never"

        container {
          name  = "migrate"
          image = "registry.example.com/migrate:2.0.1"
        }
      }
    }
  }
}
