resource "azurerm_network_security_group" "dns" {
  name                = "dns"
  location            = "westeurope"
  resource_group_name = "main"

  # UDP: SSH and telnet do not listen there.
  security_rule {
    name                       = "dns-and-friends"
    priority                   = 100
    direction                  = "Inbound"
    access                     = "Allow"
    protocol                   = "Udp"
    source_port_range          = "*"
    destination_port_ranges    = ["22-23", "53"]
    source_address_prefix      = "Internet"
    destination_address_prefix = "*"
  }
}
