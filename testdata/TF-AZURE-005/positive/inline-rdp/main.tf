resource "azurerm_network_security_group" "win" {
  name                = "win"
  location            = "westeurope"
  resource_group_name = "main"

  security_rule {
    name                       = "rdp"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Tcp"
    source_port_range          = "*"
    destination_port_ranges    = ["443", "3389"]
    source_address_prefix      = "Internet"
    destination_address_prefix = "*"
  }
}
