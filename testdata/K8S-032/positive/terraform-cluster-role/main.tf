resource "kubernetes_cluster_role_v1" "operator" {
  metadata {
    name = "operator"
  }

  rule {
    api_groups = ["apps"]
    resources  = ["deployments"]
    verbs      = ["*"]
  }

  rule {
    api_groups = [""]
    resources  = ["configmaps"]
    verbs      = ["get", "list", "watch"]
  }
}
