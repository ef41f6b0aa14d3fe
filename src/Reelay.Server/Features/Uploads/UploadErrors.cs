using Reelay.Server.Features.Assets;

namespace Reelay.Server.Features.Uploads;

/// <summary>The refusals of the upload form post (POST /uploads/{id}); /docs/errors quotes these.</summary>
public static class UploadErrors
{
    public const string NotMultipart = "Send the file as multipart/form-data with every entry of 'fields' and a 'file' part.";
    public const string UnknownUpload = "Unknown upload.";
    public const string AlreadyUploaded = "A file was already uploaded here. Create a new upload for another file.";
    public const string EmptyBody = "The upload body is empty. Post the multipart form with every entry of 'fields' and a 'file' part.";
    public const string BadToken = "The upload form's 'token' field is missing or wrong; it must come before the file.";
    public const string NoFilePart = "The form has no 'file' part.";

    public static string TooLarge => $"The file is larger than {AssetRules.Megabytes(AssetOptions.UploadLimit)}.";
    public static string TooSmall => $"The file is smaller than {AssetOptions.UploadMinimum} bytes.";
}
