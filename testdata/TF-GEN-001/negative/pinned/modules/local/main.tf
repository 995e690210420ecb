variable "name" {
  default = "local"
}
