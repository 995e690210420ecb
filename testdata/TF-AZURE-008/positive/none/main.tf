resource "azurerm_mssql_server" "main" {
  name                = "example-sql"
  resource_group_name = "main"
  location            = "westeurope"
  version             = "12.0"
}
