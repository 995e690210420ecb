resource "kubernetes_network_policy_v1" "api" {
  metadata {
    name      = "api"
    namespace = "shop"
  }

  spec {
    pod_selector {
      match_labels = { app = "api" }
    }

    ingress {
      from {
        pod_selector {
          match_labels = { app = "web" }
        }
      }

      ports {
        port     = "8080"
        protocol = "TCP"
      }
    }

    policy_types = ["Ingress"]
  }
}

resource "kubernetes_deployment_v1" "worker" {
  metadata {
    name      = "worker"
    namespace = "shop"
  }

  spec {
    selector {
      match_labels = { app = "api" }
    }

    template {
      metadata {
        labels = { app = "api" }
      }

      spec {
        container {
          name  = "worker"
          image = "registry.example.com/worker:1.0.0"
        }
      }
    }
  }
}
