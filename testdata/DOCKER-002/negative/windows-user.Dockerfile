FROM mcr.microsoft.com/windows/servercore:ltsc2022
COPY app.exe C:/app/app.exe
USER ContainerUser
ENTRYPOINT ["C:/app/app.exe"]
