resource "azurerm_kubernetes_cluster" "main" {
  name                = "main"
  location            = "westeurope"
  resource_group_name = "main"
  dns_prefix          = "main"

  network_profile {
    network_plugin = "azure"
    network_policy = "calico"
  }
}
