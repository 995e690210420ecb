resource "azurerm_storage_account" "data" {
  name                     = "exampledata"
  resource_group_name      = "main"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"

  network_rules {
    default_action = "Deny"
    ip_rules       = ["203.0.113.10"]
  }
}

resource "azurerm_storage_account" "private" {
  name                          = "exampleprivate"
  resource_group_name           = "main"
  location                      = "westeurope"
  account_tier                  = "Standard"
  account_replication_type      = "LRS"
  public_network_access_enabled = false
}
