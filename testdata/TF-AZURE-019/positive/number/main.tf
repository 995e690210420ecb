# A number where the provider takes a string: Terraform converts 1.1 to "1.1".
resource "azurerm_windows_web_app" "web" {
  name                = "example-web"
  resource_group_name = "main"
  location            = "westeurope"
  service_plan_id     = azurerm_service_plan.main.id
  https_only          = true

  site_config {
    minimum_tls_version = 1.1
  }
}
