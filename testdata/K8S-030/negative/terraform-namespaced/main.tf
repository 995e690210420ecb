variable "namespace" {
  type = string
}

resource "kubernetes_service_account_v1" "api" {
  metadata {
    name      = "api"
    namespace = var.namespace
  }
}

# Cluster-scoped: no namespace.
resource "kubernetes_cluster_role_v1" "reader" {
  metadata {
    name = "reader"
  }

  rule {
    api_groups = [""]
    resources  = ["configmaps"]
    verbs      = ["get"]
  }
}
