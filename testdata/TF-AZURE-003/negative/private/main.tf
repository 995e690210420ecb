resource "azurerm_storage_account" "data" {
  name                            = "exampledata"
  resource_group_name             = "main"
  location                        = "westeurope"
  account_tier                    = "Standard"
  account_replication_type        = "LRS"
  allow_nested_items_to_be_public = false
}

resource "azurerm_storage_container" "assets" {
  name                  = "assets"
  storage_account_name  = azurerm_storage_account.data.name
  container_access_type = "private"
}
