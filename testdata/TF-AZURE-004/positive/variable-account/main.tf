variable "storage_account_id" {
  type = string
}

variable "account_name" {
  type = string
}

# The account is created elsewhere; the explicit Allow is known all the same.
resource "azurerm_storage_account_network_rules" "shared" {
  storage_account_id = var.storage_account_id
  default_action     = "Allow"
}

resource "azurerm_storage_account" "logs" {
  name                     = var.account_name
  resource_group_name      = "main"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "LRS"

  network_rules {
    default_action = "Allow"
  }
}
