# escape=`
FROM mcr.microsoft.com/dotnet/framework/sdk:4.8-windowsservercore-ltsc2022 AS build
WORKDIR C:\src
COPY . .
RUN msbuild /p:Configuration=Release /p:OutDir=C:\out

FROM mcr.microsoft.com/dotnet/framework/aspnet:4.8-windowsservercore-ltsc2022
SHELL ["powershell", "-NoProfile", "-Command"]
RUN Install-WindowsFeature Web-Windows-Auth; `
    Set-WebConfigurationProperty -Filter /system.webServer/security/authentication/windowsAuthentication -PSPath IIS:\ -Name enabled -Value true
COPY --from=build C:\out C:\inetpub\wwwroot
