# A module-style input that is null unless a replica is wanted: this is a primary.
variable "replicate_source_db" {
  type    = string
  default = null
}

resource "aws_db_instance" "app" {
  engine                  = "postgres"
  instance_class          = "db.t4g.micro"
  storage_encrypted       = true
  replicate_source_db     = var.replicate_source_db
  backup_retention_period = 0
}
