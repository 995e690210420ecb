resource "azurerm_kubernetes_cluster" "main" {
  name                    = "main"
  location                = "westeurope"
  resource_group_name     = "main"
  dns_prefix              = "main"
  private_cluster_enabled = true
}
