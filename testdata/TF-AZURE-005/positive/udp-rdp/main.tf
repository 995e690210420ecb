resource "azurerm_network_security_rule" "rdp_udp" {
  name                        = "rdp-udp"
  priority                    = 110
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Udp"
  source_port_range           = "*"
  destination_port_range      = "3389"
  source_address_prefix       = "*"
  destination_address_prefix  = "*"
  resource_group_name         = "main"
  network_security_group_name = "win"
}
