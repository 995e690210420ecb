locals {
  privileged = true
}

resource "kubernetes_manifest" "agent" {
  manifest = {
    apiVersion = "v1"
    kind       = "Pod"
    metadata = {
      name      = "agent"
      namespace = "monitoring"
    }
    spec = {
      containers = [
        {
          name  = "agent"
          image = "registry.example.com/agent:3.1.4"
          securityContext = {
            privileged = local.privileged
          }
        },
      ]
    }
  }
}
