resource "azurerm_linux_virtual_machine" "app" {
  name                  = "app"
  resource_group_name   = "main"
  location              = "westeurope"
  size                  = "Standard_B2s"
  admin_username        = "azureuser"
  network_interface_ids = [azurerm_network_interface.app.id]

  admin_ssh_key {
    username   = "azureuser"
    public_key = var.ssh_public_key
  }
}
