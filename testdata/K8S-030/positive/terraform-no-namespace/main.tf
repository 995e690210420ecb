# Without a namespace the provider creates the object in `default`.
resource "kubernetes_service_account_v1" "api" {
  metadata {
    name = "api"
  }
}

resource "kubernetes_role_binding_v1" "api" {
  metadata {
    name      = "api"
    namespace = "default"
  }

  role_ref {
    api_group = "rbac.authorization.k8s.io"
    kind      = "Role"
    name      = "api"
  }

  subject {
    kind      = "ServiceAccount"
    name      = "api"
    namespace = "default"
  }
}
