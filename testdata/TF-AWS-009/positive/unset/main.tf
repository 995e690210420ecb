resource "aws_db_instance" "app" {
  identifier        = "app"
  engine            = "postgres"
  instance_class    = "db.t4g.micro"
  allocated_storage = 20
}
