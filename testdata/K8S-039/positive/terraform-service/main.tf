resource "kubernetes_service_v1" "web" {
  metadata {
    name      = "web"
    namespace = "shop"
  }

  spec {
    selector = { app = "web" }
    type     = "LoadBalancer"

    port {
      port        = 443
      target_port = 8443
    }
  }
}
