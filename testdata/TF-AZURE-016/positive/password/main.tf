resource "azurerm_linux_virtual_machine" "app" {
  name                            = "app"
  resource_group_name             = "main"
  location                        = "westeurope"
  size                            = "Standard_B2s"
  admin_username                  = "azureuser"
  admin_password                  = var.admin_password
  disable_password_authentication = false
  network_interface_ids           = [azurerm_network_interface.app.id]
}
