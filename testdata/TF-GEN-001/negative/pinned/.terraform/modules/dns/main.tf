# Downloaded by terraform init.
variable "name" {
  default = "dns"
}
