locals {
  environments = ["dev", "staging", "prod"]
  prefix       = "acme"
  names        = [for env in local.environments : "${local.prefix}-${env}-logs"]
  tags         = merge({ Team = "platform" }, { for env in local.environments : env => upper(env) })
}

resource "aws_s3_bucket" "logs" {
  for_each = toset(local.names)
  bucket   = each.value
  tags     = local.tags
}
