# Downloaded by terraform init.
variable "name" {
  default = "vpc"
}
