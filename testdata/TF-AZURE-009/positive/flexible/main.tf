resource "azurerm_mysql_flexible_server_configuration" "tls" {
  name                = "require_secure_transport"
  resource_group_name = "main"
  server_name         = azurerm_mysql_flexible_server.main.name
  value               = "OFF"
}
