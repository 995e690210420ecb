resource "azurerm_postgresql_server" "main" {
  name                             = "example-pg"
  resource_group_name              = "main"
  location                         = "westeurope"
  sku_name                         = "B_Gen5_1"
  version                          = "11"
  ssl_enforcement_enabled          = true
  ssl_minimal_tls_version_enforced = "TLS1_2"
}

resource "azurerm_postgresql_flexible_server_configuration" "log" {
  name      = "log_connections"
  server_id = azurerm_postgresql_flexible_server.main.id
  value     = "off"
}
