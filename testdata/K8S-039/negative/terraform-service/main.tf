resource "kubernetes_service_v1" "web" {
  metadata {
    name      = "web"
    namespace = "shop"
  }

  spec {
    selector                    = { app = "web" }
    type                        = "LoadBalancer"
    load_balancer_source_ranges = ["10.0.0.0/8"]

    port {
      port        = 443
      target_port = 8443
    }
  }
}
