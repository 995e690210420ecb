variable "public" {
  type = bool
}

resource "aws_db_instance" "this" {
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  publicly_accessible = var.public
}
