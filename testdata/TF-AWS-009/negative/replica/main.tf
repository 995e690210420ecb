resource "aws_db_instance" "replica" {
  identifier          = "app-replica"
  instance_class      = "db.t4g.micro"
  replicate_source_db = aws_db_instance.app.identifier
}
