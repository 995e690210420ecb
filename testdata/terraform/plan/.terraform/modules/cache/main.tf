variable "public" {
  default = false
}

resource "aws_db_instance" "cache" {
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  publicly_accessible = var.public
}
