resource "kubernetes_replication_controller_v1" "legacy" {
  metadata {
    name      = "legacy"
    namespace = "shop"
  }

  spec {
    selector = { app = "legacy" }

    template {
      metadata {
        labels = { app = "legacy" }
      }

      spec {
        container {
          name  = "legacy"
          image = "registry.example.com/legacy:latest"
        }
      }
    }
  }
}
