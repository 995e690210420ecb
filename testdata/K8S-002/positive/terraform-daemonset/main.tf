resource "kubernetes_daemon_set_v1" "exporter" {
  metadata {
    name      = "node-exporter"
    namespace = "monitoring"
  }

  spec {
    selector {
      match_labels = { app = "node-exporter" }
    }

    template {
      metadata {
        labels = { app = "node-exporter" }
      }

      spec {
        host_network = true

        container {
          name  = "exporter"
          image = "quay.io/prometheus/node-exporter:v1.8.2"
        }
      }
    }
  }
}
