resource "azurerm_container_registry" "main" {
  name                = "exampleacr"
  resource_group_name = "main"
  location            = "westeurope"
  sku                 = "Standard"
  admin_enabled       = true
}
