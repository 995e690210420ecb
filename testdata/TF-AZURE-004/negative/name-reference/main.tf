variable "resource_group" {
  type = string
}

variable "storage_account_id" {
  type = string
}

# Network rules joined by the account's name (the older arguments) configure it.
resource "azurerm_storage_account" "data" {
  name                     = "exampledata"
  resource_group_name      = var.resource_group
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"
}

resource "azurerm_storage_account_network_rules" "data" {
  resource_group_name  = var.resource_group
  storage_account_name = azurerm_storage_account.data.name
  default_action       = "Deny"
  ip_rules             = ["203.0.113.10"]
}

# An account created elsewhere, denied by default.
resource "azurerm_storage_account_network_rules" "shared" {
  storage_account_id = var.storage_account_id
  default_action     = "Deny"
}
