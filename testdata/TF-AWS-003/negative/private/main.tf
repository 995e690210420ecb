variable "public" {
  type = bool
}

resource "aws_db_instance" "app" {
  identifier          = "app"
  engine              = "postgres"
  instance_class      = "db.t4g.micro"
  allocated_storage   = 20
  publicly_accessible = false
}

resource "aws_db_instance" "default" {
  identifier        = "default"
  engine            = "mysql"
  instance_class    = "db.t4g.micro"
  allocated_storage = 20
}

resource "aws_db_instance" "unknown" {
  identifier          = "unknown"
  engine              = "mysql"
  instance_class      = "db.t4g.micro"
  allocated_storage   = 20
  publicly_accessible = var.public
}
