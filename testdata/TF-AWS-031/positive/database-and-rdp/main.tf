resource "aws_network_acl" "public" {
  vpc_id = aws_vpc.main.id

  # Above 1024, but not the ephemeral range: PostgreSQL from the internet.
  ingress {
    protocol   = "tcp"
    rule_no    = 100
    action     = "allow"
    cidr_block = "0.0.0.0/0"
    from_port  = 5432
    to_port    = 5432
  }
}

resource "aws_network_acl_rule" "rdp" {
  network_acl_id = aws_network_acl.public.id
  rule_number    = 110
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 3389
  to_port        = 3389
}

resource "aws_network_acl_rule" "redis" {
  network_acl_id  = aws_network_acl.public.id
  rule_number     = 120
  protocol        = "6"
  rule_action     = "allow"
  ipv6_cidr_block = "::/0"
  from_port       = 6000
  to_port         = 7000
}
