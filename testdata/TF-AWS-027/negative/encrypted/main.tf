resource "aws_opensearch_domain" "logs" {
  domain_name    = "logs"
  engine_version = "OpenSearch_2.13"

  encrypt_at_rest {
    enabled = true
  }
}
