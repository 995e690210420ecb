resource "kubernetes_role" "reader" {
  metadata {
    name      = "reader"
    namespace = "shop"
  }

  rule {
    api_groups = [""]
    resources  = ["configmaps"]
    verbs      = ["get", "list", "watch"]
  }
}
