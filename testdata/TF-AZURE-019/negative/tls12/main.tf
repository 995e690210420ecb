resource "azurerm_app_service" "legacy" {
  name                = "example-legacy"
  resource_group_name = "main"
  location            = "westeurope"
  app_service_plan_id = azurerm_app_service_plan.main.id
  https_only          = true

  site_config {
    min_tls_version = "1.2"
    ftps_state      = "Disabled"
  }
}
