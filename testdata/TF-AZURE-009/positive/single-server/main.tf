resource "azurerm_postgresql_server" "main" {
  name                    = "example-pg"
  resource_group_name     = "main"
  location                = "westeurope"
  sku_name                = "B_Gen5_1"
  version                 = "11"
  ssl_enforcement_enabled = false
}
