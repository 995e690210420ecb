resource "azurerm_storage_account" "data" {
  name                     = "exampledata"
  resource_group_name      = "main"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}

resource "azurerm_storage_account_network_rules" "data" {
  storage_account_id = azurerm_storage_account.data.id
  default_action     = "Allow"
}
