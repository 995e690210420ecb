resource "aws_db_instance" "app" {
  identifier        = "app"
  engine            = "mysql"
  instance_class    = "db.t4g.micro"
  allocated_storage = 20
  storage_encrypted = true
}
